"""Benchmark: the two sign-in steps, and an ordinary admin page with and without the
sign-in security middleware (issue 6).

Needs the seeded bench database (bench/seed.py). Creates, once, ``bench-signin`` (an HR
role assignment and an authenticator device). Each round, in one run:

- the password step: POST /admin/login/ (django-axes checks, password hash, session);
- the code step: POST /admin/verify/ with a valid TOTP code (device lookup and check,
  lockout check, login event, session bookkeeping);
- the employee list as that OTP-verified user, with the settings' MIDDLEWARE, and with
  django-otp's and our second-factor middleware and axes' middleware removed (the page
  before this issue), interleaved; and with django-otp's own middleware in place of ours
  (``OTPSessionMiddleware``, issue 13), which reads the verified device on every request.

The password hasher is the production one (PBKDF2), so the password step is dominated
by it. Prints Markdown tables; exits 0.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \\
    DJANGO_SECRET_KEY=... .venv/bin/python bench/signin.py --repeat 15
"""

import argparse
import time

from _common import machine, setup_django, summary_ms, table

USERNAME = "bench-signin"
PASSWORD = "bench-signin-passphrase-2026"
IP = "10.20.30.40"
DJANGO_OTP = "django_otp.middleware.OTPMiddleware"
OTP_SESSION = "apps.security.middleware.OTPSessionMiddleware"
OURS = (
    DJANGO_OTP,
    OTP_SESSION,
    "apps.security.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_django()

    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.access.roles import HR, roles_ensure
    from apps.access.services import assignment_create
    from apps.org.models import Department, Employee
    from apps.org.services import employee_create
    from tests.otp import code_for

    setup_test_environment()
    user = Employee.objects.filter(username=USERNAME).first()
    if user is None:
        user = employee_create(
            actor=None,
            username=USERNAME,
            password=PASSWORD,
            department=Department.objects.get(parent__isnull=True),
            is_staff=True,
        )
        assignment_create(actor=None, user=user, role=roles_ensure()[HR], reason="bench")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    )
    print(f"# sign-in benchmark\n{machine()}\n")
    print(f"Password hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}\n")

    def timed(call):  # noqa: ANN001, ANN202
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - started
        return response, elapsed, len(ctx.captured_queries)

    keys = ("password", "code", "with", "django-otp", "without")
    samples: dict[str, list[float]] = {k: [] for k in keys}
    queries: dict[str, int] = {}
    lean = [m for m in settings.MIDDLEWARE if m not in OURS]
    stock_otp = [DJANGO_OTP if m == OTP_SESSION else m for m in settings.MIDDLEWARE]
    for _ in range(args.repeat):
        AccessAttempt.objects.filter(username=USERNAME).delete()
        client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="bench Firefox/140.0 (X11; Linux)")
        response, spent, n = timed(
            lambda c=client: c.post("/admin/login/", {"username": USERNAME, "password": PASSWORD})
        )
        assert response.status_code == 302, response.status_code
        samples["password"].append(spent)
        queries["password"] = n
        # A code is single-use per 30 s step; let each round reuse the step (bench only).
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
        code = code_for(device)
        response, spent, n = timed(lambda c=client, k=code: c.post("/admin/verify/", {"code": k}))
        assert response.status_code == 302, response.status_code
        samples["code"].append(spent)
        queries["code"] = n
        stacks = (("with", settings.MIDDLEWARE), ("django-otp", stock_otp), ("without", lean))
        for label, middleware in stacks:
            with override_settings(MIDDLEWARE=middleware):
                page = Client(REMOTE_ADDR=IP)
                page.cookies = client.cookies
                page.get("/admin/org/employee/")  # warm this middleware stack
                response, spent, n = timed(lambda p=page: p.get("/admin/org/employee/"))
            assert response.status_code == 200, (label, response.status_code)
            samples[label].append(spent)
            queries[label] = n

    names = {
        "password": "password step (POST /admin/login/)",
        "code": "code step (POST /admin/verify/)",
        "with": "employee list, OTP-verified, with the sign-in middleware",
        "django-otp": "employee list, same session, django-otp's middleware instead of ours",
        "without": "employee list, same session, without it (before this issue)",
    }
    rows = []
    for key, label in names.items():
        stats = summary_ms(samples[key])
        rows.append([label, f"{stats['median']:.1f}", f"{stats['p95']:.1f}", queries[key]])
    print(table(["request", "median ms", "p95 ms", "queries"], rows))
    ratio = summary_ms(samples["with"])["median"] / summary_ms(samples["without"])["median"]
    print(
        f"\nOrdinary page with / without: {ratio:.2f}x, "
        f"{queries['with'] - queries['without']:+d} queries."
    )
    saved = summary_ms(samples["django-otp"])["median"] / summary_ms(samples["with"])["median"]
    print(
        f"django-otp's middleware / ours: {saved:.2f}x, "
        f"{queries['django-otp'] - queries['with']:+d} queries."
    )


if __name__ == "__main__":
    main()
