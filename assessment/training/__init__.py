"""QC-5 training (培训): plans per department and period, sessions, attendance and scores."""
