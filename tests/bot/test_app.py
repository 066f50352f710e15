"""The app factory owns its background parts: they start with the app and stop
with it, leaving nothing running."""

from __future__ import annotations

import json
import subprocess
import sys

from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.keys import ENGINE, SCHEDULER
from tests.support.settings import make_settings


async def test_scheduler_and_writer_run_while_the_app_runs(sqlite_url: str) -> None:
    app = create_app(make_settings(sqlite_url))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    scheduler = app[SCHEDULER]
    assert scheduler.running
    assert app[ENGINE].url.get_backend_name() == "sqlite"
    await server.close()
    assert not scheduler.running


def test_a_serving_process_loads_the_report_libraries_only_for_a_report() -> None:
    """matplotlib and openpyxl cost a gateway ~60 MB: they are imported by the first
    chart or spreadsheet, not when the service starts."""
    script = (
        "import sys, bot.app, bot.cli\n"
        "before = [m in sys.modules for m in ('matplotlib', 'openpyxl')]\n"
        "from monitors import charts, report_files\n"
        "charts.response_chart([1] * (len(charts.RESPONSE_EDGES) + 1), 20.0)\n"
        "report_files.assessment_workbook([])\n"
        "after = [m in sys.modules for m in ('matplotlib', 'openpyxl')]\n"
        "print(json.dumps([before, after]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + script],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [[False, False], [True, True]]
