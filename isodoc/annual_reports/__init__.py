"""The annual reporting chain: each agency's yearly report on applying, maintaining and
improving its QMS (báo cáo tình hình áp dụng, duy trì và cải tiến HTQLCL), prefilled from
its records, edited by the secretary, approved by its leader and submitted to the Sở
KH&CN by the deadline the Sở sets; the Sở's overview and the province's consolidated
report."""
