"""`linetwin whatif`: fit defect-rate models on a history and ask them what a change would do."""
