"""Write paths of the providers app, split by sub-domain:

registration (organisations, branches, members), licences (scans, expiry notices),
review (the registration workflow), staff (service staff and certificates).
"""
