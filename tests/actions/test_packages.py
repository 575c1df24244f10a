"""ActionQueryPackage against a real backend."""

from rasa_sdk.executor import CollectingDispatcher

from actions.packages import ActionQueryPackage
from tests.actions.conftest import make_tracker, rating_for, responses


async def query(backend, domain, phone):
    dispatcher = CollectingDispatcher()
    slots = {"identity_verified": True, "verified_phone": phone}
    events = await ActionQueryPackage(backend).run(dispatcher, make_tracker(slots), domain)
    return events, responses(dispatcher)


async def test_zhang_weis_plan_add_on_family_and_broadband(backend, domain):
    events, sent = await query(backend, domain, "13800138000")
    assert events == rating_for("package")
    assert sent == [
        {
            "response": "utter_package_main_contract",
            "name": "冰激凌套餐",
            "fee": "129.00",
            "contract_end": "2027-06-30",
            "penalty": "200.00",
        },
        {"response": "utter_package_family", "members": "139****9000"},
        {"response": "utter_package_addons", "addons": "视频会员流量包（20.00 元/月）"},
        {"response": "utter_package_broadband", "name": "宽带200M", "account": "KD0755200001", "fee": "100.00"},
    ]


async def test_li_nas_plan_without_contract_with_her_add_ons(backend, domain):
    _, sent = await query(backend, domain, "13900139000")
    assert sent == [
        {"response": "utter_package_main", "name": "畅越套餐", "fee": "59.00"},
        {"response": "utter_package_addons", "addons": "优酷会员（15.00 元/月）；彩铃（5.00 元/月）"},
    ]
