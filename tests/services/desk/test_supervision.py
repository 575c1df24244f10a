"""The supervisors' view of every open case, reassignment, and private notes on a case."""

from tests.services.desk.conftest import sign_in
from tests.services.desk.test_console import online, open_case


async def receive_until(socket, kind):
    while True:
        event = await socket.receive_json(timeout=5)
        if event["type"] == kind:
            return event


async def test_a_supervisor_sees_every_open_case_and_moves_one_to_another_agent(client, fake_rasa):
    wang, wang_socket = await online(client, "1001")
    li, li_socket = await online(client, "1002")
    supervisor = await sign_in(client, "2001")
    _, first = await open_case(client, sender_id="web-1")
    _, second = await open_case(client, sender_id="web-2")
    first_id, second_id = first["case"]["id"], second["case"]["id"]
    assert (await wang.post(f"/api/cases/{first_id}/take")).status == 200

    listed = await (await supervisor.get("/api/supervisor/cases")).json()
    assert [(c["id"], c["status"], c["agent_name"]) for c in listed["cases"]] == [
        (first_id, "taken", "王芳"),
        (second_id, "queued", None),
    ]
    assert (await wang.get("/api/supervisor/cases")).status == 403

    fake_rasa.push = True
    moved = await supervisor.post(f"/api/cases/{first_id}/assign", json={"agent_id": 2})
    assert moved.status == 200
    assert ((await moved.json())["status"], (await moved.json())["agent_name"]) == ("taken", "李强")
    assert (await receive_until(wang_socket, "reassigned"))["case_id"] == first_id
    assert (await receive_until(li_socket, "assigned"))["case_id"] == first_id
    # The customer hears who answers now, once.
    taken = [d for d in fake_rasa.deliveries if d["event"] == "taken"]
    assert [(d["agent_name"], d["delivery_id"].startswith(f"case-{first_id}-taken-")) for d in taken][-1] == (
        "李强",
        True,
    )
    refused = await wang.post(f"/api/cases/{first_id}/reply", json={"text": "还在吗"})
    assert (refused.status, (await refused.json())["error"]) == (409, "not_your_case")
    assert (await li.post(f"/api/cases/{first_id}/reply", json={"text": "您好，我是李强"})).status == 201

    # A queued case given to an agent is taken for them (客服 XX 已接入, as when they take it).
    given = await supervisor.post(f"/api/cases/{second_id}/assign", json={"agent_id": 1})
    assert ((await given.json())["status"], (await given.json())["agent_name"]) == ("taken", "王芳")
    assert fake_rasa.deliveries[-1]["delivery_id"] == f"case-{second_id}-taken"

    for body, status in [
        ({"agent_id": 1}, 409),  # already theirs
        ({"agent_id": 99}, 404),
        ({"agent_id": "2"}, 400),
        ({}, 400),
    ]:
        response = await supervisor.post(f"/api/cases/{second_id}/assign", json=body)
        assert response.status == status, body
    assert (await wang.post(f"/api/cases/{second_id}/assign", json={"agent_id": 2})).status == 403
    for session, socket in ((wang, wang_socket), (li, li_socket)):
        await socket.close()
        await session.close()
    await supervisor.close()


async def test_private_notes_are_for_the_case_s_agent_and_supervisors(client, fake_rasa):
    wang, wang_socket = await online(client, "1001")
    li = await sign_in(client, "1002")
    supervisor = await sign_in(client, "2001")
    _, opened = await open_case(client)
    case_id = opened["case"]["id"]
    assert (await wang.post(f"/api/cases/{case_id}/take")).status == 200
    added = await wang.post(f"/api/cases/{case_id}/notes", json={"text": "客户说备用号码13900139000，下午再联系"})
    assert added.status == 201
    note = await added.json()
    assert (note["agent_name"], note["text"], note["at"]) == (
        "王芳",
        "客户说备用号码139****9000，下午再联系",
        "2026-11-22T10:00:00+08:00",
    )
    assert (await supervisor.post(f"/api/cases/{case_id}/notes", json={"text": "请优先处理"})).status == 201
    notes = (await (await wang.get(f"/api/cases/{case_id}/notes")).json())["notes"]
    assert [(n["agent_name"], n["text"]) for n in notes] == [
        ("王芳", "客户说备用号码139****9000，下午再联系"),
        ("陈静", "请优先处理"),
    ]
    assert [n["text"] for n in (await (await wang.get(f"/api/cases/{case_id}")).json())["notes"]] == [
        n["text"] for n in notes
    ]
    # Another agent neither reads nor writes them; the customer never gets them.
    assert (await li.get(f"/api/cases/{case_id}/notes")).status == 403
    assert (await li.post(f"/api/cases/{case_id}/notes", json={"text": "x"})).status == 403
    assert (await (await li.get(f"/api/cases/{case_id}")).json())["notes"] == []
    assert not any("请优先处理" in str(d) for d in fake_rasa.deliveries)
    assert (await wang.post(f"/api/cases/{case_id}/notes", json={"text": "  "})).status == 400
    await wang_socket.close()
    for session in (wang, li, supervisor):
        await session.close()
