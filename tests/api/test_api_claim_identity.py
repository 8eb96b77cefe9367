"""Issue 14, failure 11, through the service: each 835 upload is converted onto the practice's
ledger, so a later upload's CLP01 of another patient must not be posted onto the held claim
(12.00 paid at claim level on a 6.00 charge made a 20.00 phantom credit case)."""

from __future__ import annotations

from api_helpers import World, seed_practice_ledger
from fastapi.testclient import TestClient
from x12.x12text import claim, interchange, render, transaction_set

URL = "/api/v1/practices/a/remittances"


def _remit(member: str, icn: str, cpt: str, charge: str, paid: str, n: int) -> bytes:
    services = [[f"SVC*HC:{cpt}*{charge}*{paid}**1", "DTM*472*20240102"]]
    if charge != paid:
        services[0].append(f"CAS*CO*45*{float(charge) - float(paid):.2f}")
    body = claim("C1", charge=charge, paid=paid, member=member, icn=icn, services=services)
    sets = [transaction_set(body, total=paid, trace=f"T{n}")]
    return render(interchange(sets, control=f"{n:09d}")).encode()


def _cases_of(client: TestClient, world: World, claim_id: str) -> list[dict]:
    page = client.get(
        "/api/v1/practices/a/cases", params={"limit": 100}, headers=world.headers["biller"]
    ).json()
    return [c for c in page["items"] if c["claim_id"].startswith(claim_id)]


def test_another_patient_in_a_later_upload_makes_no_phantom_credit(
    client: TestClient, world: World
) -> None:
    seed_practice_ledger(client, world)
    first = ("a.835", _remit("MBRA", "ICNA", "97110", "6", "6", 1), "text/plain")
    r = client.post(URL, files={"files": first}, headers=world.headers["biller"])
    assert r.status_code == 201, r.text
    second = ("b.835", _remit("MBRB", "ICNB", "97140", "20", "12", 2), "text/plain")
    r = client.post(URL, files={"files": second}, headers=world.headers["biller"])
    assert r.status_code == 201, r.text
    assert _cases_of(client, world, "C1") == []  # both claims balance to 0
    (split,) = [f for f in r.json()["findings"] if "separate claim" in f["message"]]
    assert (split["file"], split["segment"]) == ("b.835", 12)
    assert "MBR" not in split["message"] and "ICN" not in split["message"]
