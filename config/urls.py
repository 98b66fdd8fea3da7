from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from dashboard.views import home
from directory import sso
from org import views as org_views

api_v1 = [
    path("", include("org.api")),
    path("", include("goals.api")),
    path("", include("tracking.api")),
    path("", include("resources.api")),
    path("", include("incentives.api")),
    path("", include("retros.api")),
    path("", include("reviews.api")),
    path("", include("notifications.api")),
    path("", include("coordination.api")),
    path("", include("dashboard.api")),
    path("", include("integrations.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs pages run under the Content Security Policy: Swagger UI's init script is served
    # as its own same-origin resource (?script); our templates drop the inline <style> blocks.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="api_docs/swagger_ui.html"
        ),
        name="swagger-ui",
    ),
    # ReDoc styles itself with generated <style> elements and searches in a blob: worker: only
    # this page lets them in (scripts stay 'self').
    path(
        "redoc/",
        csp_update({"style-src-elem": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html")
        ),
        name="redoc",
    ),
]

handler404 = "core.api.not_found"

urlpatterns = [
    path("healthz", org_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("org.urls")),
    # Single sign-on: Keel's stricter OpenID Connect views, then allauth's Feishu and DingTalk
    # sign-in (only the identity-provider URLs: no allauth sign-up or password pages).
    path("accounts/oidc/<str:provider_id>/login/", sso.oidc_login, name="openid_connect_login"),
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        sso.oidc_callback,
        name="openid_connect_callback",
    ),
    path("accounts/", include("allauth.socialaccount.providers.feishu.urls")),
    path("accounts/", include("allauth.socialaccount.providers.dingtalk.urls")),
    path("goals/", include("goals.urls")),
    path("tracking/", include("tracking.urls")),
    # Resource pages keep the paths they had as part of tracking (/tracking/requests/, ...).
    path("tracking/", include("resources.urls")),
    path("incentives/", include("incentives.urls")),
    path("retros/", include("retros.urls")),
    path("reviews/", include("reviews.urls")),
    path("notifications/", include("notifications.urls")),
    path("coordination/", include("coordination.urls")),
    path("dashboard/", include("dashboard.urls")),  # the role pages
    path("directory/", include("directory.urls")),  # people import
    path("integrations/", include("integrations.urls")),  # service accounts
    path("scim/v2/", include("directory.scim_urls")),  # SCIM provisioning (service accounts)
    path("", home, name="home"),
]

if settings.KEEL_BENCH:
    from demo.bench import api_floor, empty_page, floor

    # The benchmark's floors (docs/benchmarks.md): anonymous, a signed-in page, a signed-in
    # API call (under /api/v1/, through everything the API's requests pass).
    urlpatterns[:0] = [
        path("bench/floor", floor, name="bench-floor"),
        path("bench/page", empty_page, name="bench-page"),
        path("api/v1/bench/floor/", api_floor, name="bench-api-floor"),
    ]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
