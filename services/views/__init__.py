"""Pages of the services app: listings and schedules (listings), a resident's bookings and
records (residents), the provider's booking desk (desk), the sandbox cashier (cashier)."""
