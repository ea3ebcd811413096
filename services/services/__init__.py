"""Write paths of the services app: listings, schedules and slots, listing visibility."""
