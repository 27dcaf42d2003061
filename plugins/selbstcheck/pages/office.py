"""Leadership (role ``leitung``): a closed round's results as files people open.

The XLSX holds the CSV's rows (same disclosure release, same suppressed cells);
the PDF report is the handout for a staff meeting. Both are written to the
audit log like the other exports.
"""

from __future__ import annotations

from starlette.responses import Response

from willkommen_core.exports import XLSX_MEDIA_TYPE
from willkommen_core.sdk import PageRequest

from .. import STAFF, report_pdf
from ..summary import round_results
from ..xlsx import export_xlsx
from .common import PERSPECTIVE_LABELS, page
from .results import _closed_round


@page("/runden/{round_id:int}/ergebnisse.xlsx", roles=STAFF, name="export_xlsx")
def export_xlsx_page(p: PageRequest) -> Response:
    rnd, blocked = _closed_round(p)
    if blocked:
        return blocked
    res = round_results(p.instance, rnd, with_comments=False)
    body = export_xlsx(rnd, res, str(p.instance.settings.authority.name))
    p.audit("results.exported", f"selbstcheck/{rnd.id}", format="xlsx")
    return p.download(body, f"selbstcheck-runde-{rnd.id}.xlsx", XLSX_MEDIA_TYPE)


@page("/runden/{round_id:int}/bericht.pdf", roles=STAFF, name="report_pdf")
def report_pdf_page(p: PageRequest) -> Response:
    rnd, blocked = _closed_round(p)
    if blocked:
        return blocked
    res = round_results(p.instance, rnd, with_comments=False)
    data = report_pdf.report_data(p.instance, rnd, res, PERSPECTIVE_LABELS)
    body = report_pdf.render_pdf(data)
    p.audit("results.exported", f"selbstcheck/{rnd.id}", format="pdf")
    return p.download(body, f"selbstcheck-bericht-runde-{rnd.id}.pdf", report_pdf.MEDIA_TYPE)
