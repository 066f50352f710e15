"""Reports: KPI documents and the report files (gathered from storage, rendered by
``monitors``)."""
