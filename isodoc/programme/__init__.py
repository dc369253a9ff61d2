"""The province's programme (Kế hoạch áp dụng HTQLCL): the plan as data (targets per year
and agency kind, the agencies scheduled each year, the cost lines), the QMS stage of each
agency derived from its records, the Sở KH&CN dashboard and the plan's appendices."""
