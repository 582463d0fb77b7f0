"""The incident report: what it holds (report_model), written as HTML or PDF, and the
headless frames of a replay that it and ``replay -o/--video`` draw (frames)."""
