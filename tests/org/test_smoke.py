from org import permissions


def test_smoke(company, api, login):
    c = company
    assert set(permissions.managed_people(c["bob"])) == {c["alice"], c["erin"]}
    assert set(permissions.managed_people(c["zed"])) >= {
        c["alice"],
        c["bob"],
        c["dave"],
        c["mia"],
        c["carol"],
    }
    assert set(permissions.hrbp_people(c["carol"])) == {c["bob"], c["alice"], c["erin"]}
    assert permissions.manager_chain_ids(c["alice"]) == {c["bob"].pk, c["zed"].pk}
    r = api.as_(c["alice"]).get("/api/v1/me/")
    assert r.status_code == 200, r.content
    assert r.json()["roles"] == ["employee"]
    r = login(c["bob"]).get("/")
    assert r.status_code == 200
    assert b"Alice" in r.content
    r = login(c["bob"]).get("/people/")
    assert r.status_code == 200, r.content
