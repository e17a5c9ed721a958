def test_callcenter_is_listed_with_its_requirements(make_app):
    app = make_app(plugins=["callcenter"] + list(("members",)))
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert info["callcenter"].enabled
    assert info["callcenter"].requires == ("members",)
    assert info["callcenter"].distribution == "zhanggui-callcenter"
