"""What-if: defect-rate models fitted on this line's own history, their model
cards, and proposed changes to process values (issue 10)."""
