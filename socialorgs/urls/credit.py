"""Pages of the socialorgs app: credit (the public lists, 非法社会组织 exposure, the officials'
credit desk) and complaints about organisations (filed into ratings' complaint workflow)."""

from django.urls import path

from socialorgs import converters  # noqa: F401  (registers <creditcode:>)
from socialorgs.views import complaints, credit

urlpatterns: list = [
    # The public (socialorgs.views.credit)
    path("lists/", credit.ListsView.as_view(), name="lists"),
    path("illegal/", credit.IllegalListView.as_view(), name="illegal"),
    # Residents: complaints and reports (socialorgs.views.complaints)
    path(
        "org/<creditcode:credit_code>/complain/",
        complaints.ComplainView.as_view(),
        name="complain",
    ),
    path("report-illegal/", complaints.ReportIllegalView.as_view(), name="report-illegal"),
    # The organisation's accounts: complaints about it
    path("my/complaints/", complaints.OrgComplaintsView.as_view(), name="org-complaints"),
    path("my/complaints/<int:pk>/", complaints.OrgComplaintView.as_view(), name="org-complaint"),
    # Officials (socialorgs.views.credit)
    path("official/credit/", credit.CreditHomeView.as_view(), name="credit-home"),
    path(
        "official/credit/org/<creditcode:credit_code>/",
        credit.CreditDeskView.as_view(),
        name="credit-desk",
    ),
    path(
        "official/credit/entries/<int:pk>/remove/",
        credit.ListRemoveView.as_view(),
        name="credit-list-remove",
    ),
    path("official/credit/illegal/", credit.IllegalManageView.as_view(), name="illegal-manage"),
    path(
        "official/credit/illegal/<int:pk>/status/",
        credit.IllegalStatusView.as_view(),
        name="illegal-status",
    ),
]
