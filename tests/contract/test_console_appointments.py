"""The console's appointments page over HTTP: the day's visits with the citizen's application,
the counter's marks with CSRF, admin-only service settings, escaping, and refusals (404/409/422)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.ports import Owner
from tests.contract.test_console_http import citizen_application, make_officer, sign_in
from tests.helpers import running_app, settings_for

pytestmark = pytest.mark.postgres


async def test_officer_sees_the_day_and_marks_the_visit(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani")
        await make_officer(app, "boss", role="admin")
        (sid, _auth), app_id, reference = await citizen_application(app, client)
        desk_office = app.office.appointments
        assert desk_office is not None
        async with app.sessions() as db, db.begin():
            desk = desk_office.desk(db)
            free = await desk.free_slots("document_check", limit=1)
            outcome = await desk.book(
                Owner("webchat", sid),
                "document_check",
                free[0].starts_at,
                name="Siti <b>Aminah</b>",
                application_reference=reference,
            )
        assert outcome.booking is not None
        async with app.sessions() as db, db.begin():
            desk = desk_office.desk(db)
            later = (await desk.free_slots("consultation", limit=1))[0]
            other = await desk.book(Owner("webchat", sid), "consultation", later.starts_at)
        assert other.booking is not None
        day = desk_office.calendar.local(outcome.booking.starts_at).date()

        csrf = await sign_in(client, "ani")
        listing = await client.get(f"/console/appointments?day={day.isoformat()}")
        assert listing.status_code == 200
        assert outcome.booking.code in listing.text
        assert f'href="/console/applications/{app_id}"' in listing.text
        assert "Siti &lt;b&gt;Aminah&lt;/b&gt;" in listing.text  # citizen text is escaped
        assert "Layanan dan sesi" not in listing.text  # settings are for admins

        visit = (await desk_office.day(day))[0]
        no_csrf = await client.post(
            f"/console/appointments/{visit.id}/mark", data={"mark": "arrived"}
        )
        assert no_csrf.status_code == 403
        marked = await client.post(
            f"/console/appointments/{visit.id}/mark", data={"mark": "arrived", "csrf_token": csrf}
        )
        assert marked.status_code == 303
        assert (await desk_office.day(day))[0].status == "arrived"
        again = await client.post(
            f"/console/appointments/{visit.id}/mark", data={"mark": "arrived", "csrf_token": csrf}
        )
        assert again.status_code == 409
        unknown = await client.post(
            f"/console/appointments/{visit.id}/mark", data={"mark": "gone", "csrf_token": csrf}
        )
        assert unknown.status_code == 422
        missing = await client.post(
            "/console/appointments/999999/mark", data={"mark": "served", "csrf_token": csrf}
        )
        assert missing.status_code == 404

        refused = await client.post(
            "/console/appointments/services/consultation",
            data={"slot_minutes": "60", "capacity": "1", "active": "1", "csrf_token": csrf},
        )
        assert refused.status_code == 403  # an officer, not an admin

        await client.post("/console/logout", data={"csrf_token": csrf})
        admin_csrf = await sign_in(client, "boss")
        page = await client.get("/console/appointments")
        assert "Layanan dan sesi" in page.text
        bad = await client.post(
            "/console/appointments/services/consultation",
            data={"slot_minutes": "3", "capacity": "1", "active": "1", "csrf_token": admin_csrf},
        )
        assert bad.status_code == 422
        saved = await client.post(
            "/console/appointments/services/consultation",
            data={"slot_minutes": "30", "capacity": "2", "csrf_token": admin_csrf},
        )
        assert saved.status_code == 303
        # Closed for booking: the consultation booking is kept, and its citizen was told.
        assert saved.headers["location"] == "/console/appointments?told=1"
        kept = await desk_office.day(desk_office.calendar.local(later.starts_at).date())
        assert other.booking.code in [v.code for v in kept if v.status == "booked"]
        told = await client.get("/console/appointments?told=1")
        assert "sudah diberi tahu: 1" in told.text
