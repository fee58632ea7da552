"""What leaves the journal in other formats: the calendar (.ics) and JSON exchange."""
