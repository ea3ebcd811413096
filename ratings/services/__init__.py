"""Write paths of the ratings app, one module per sub-domain: reviews, scores, inspections,
complaints, credit."""
