"""Pages of the providers app: public (verification, provider page, registration), the
provider staff's desk, and the officials' review pages."""
