"""A customer follows a sign's QR code to the first information and switches to Arabic."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from willkommen_core.demo import prepare_demo


def test_customer_opens_the_qr_link_of_a_sign_and_reads_it_right_to_left(
    browser, tmp_path, live_server
):
    from willkommen_plugins.leitsystem import render, store

    instance, _password = prepare_demo(tmp_path / "demo")
    base = live_server(instance)
    signs = render.signs(instance, store.load(instance.db), "de", render.theme_for(instance), base)
    sign = next(s for s in signs if any("/leitsystem/info/kasse" in u for u in s.qr_urls))
    png = render.render(sign, "a4", "png", ppi=110)
    found = {r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}
    # The first information and, offered by the survey module (hook customer_links),
    # the customer survey: each its own QR code.
    assert found == set(sign.qr_urls)
    url = f"{base}/leitsystem/info/kasse?lang=de"
    assert url in found

    # The customer's phone: a fresh browser, never logged in.
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    try:
        for other in found - {url}:
            assert page.goto(other).status == 200, other
        assert page.goto(url).status == 200
        html = page.locator("html")
        assert html.get_attribute("dir") == "ltr"
        german = page.get_by_role("heading", level=1).inner_text()

        page.locator("nav.languages a[hreflang=ar]").click()
        page.wait_for_url("**/leitsystem/info/kasse?lang=ar")
        assert html.get_attribute("lang") == "ar"
        assert html.get_attribute("dir") == "rtl"
        arabic = page.get_by_role("heading", level=1).inner_text()
        assert arabic != german
        assert any("\u0600" <= ch <= "\u06ff" for ch in arabic)  # Arabic script
    finally:
        context.close()
