from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_each_demo_login_reaches_its_home(page):
    for username, marker in [
        ("employee", "#my-place"),
        ("manager", "#my-team"),
        ("hrbp", "#my-units"),
        ("admin", "#my-team"),
    ]:
        sign_in(page, username)
        expect(page.locator(marker)).to_be_visible()
        page.shot(username)
        page.click("text=Sign out")
        page.wait_for_url(f"{page.base_url}/login/")


def test_switching_to_chinese_translates_navigation_and_is_remembered(page):
    sign_in(page, "employee")
    page.select_option("#lang-switch", "zh-hans")
    page.locator("nav.nav", has_text="首页").wait_for()  # the form posts and redirects
    assert page.locator("nav.nav").inner_text().find("首页") >= 0
    assert "你好" in page.locator("h1").inner_text()
    page.shot("zh")
    page.click("text=退出登录")
    sign_in(page, "employee")
    assert "首页" in page.locator("nav.nav").inner_text()
