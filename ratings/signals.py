"""Signals of the ratings app: other parts (credit) react to them without a direct import.

Each sub-domain adds its own block below.
"""

from __future__ import annotations

from django.dispatch import Signal

# --- complaints

# Sent after commit when a complaint is resolved as upheld (投诉成立), with `complaint=`.
complaint_upheld = Signal()

# --- inspections

# Sent after commit when an inspection is completed (its score and `passed` are set), with
# `inspection=`.
inspection_completed = Signal()
