def test_loyalty_is_listed_with_its_requirements(make_app):
    app = make_app(plugins=["loyalty"] + list(("members",)))
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert info["loyalty"].enabled
    assert info["loyalty"].requires == ("members",)
    assert info["loyalty"].distribution == "zhanggui-loyalty"
