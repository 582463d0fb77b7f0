"""SOP training and process compliance: SOP types, the step engine, scoring."""
