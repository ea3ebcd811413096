"""Pages of the open-data catalogue: public (catalogue, 开放清单, timetable, dataset), the
organisations' applications, and the officials' console."""
