"""Background work: the scheduler, the live sweep and scheduled reports."""
