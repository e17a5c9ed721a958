def test_campaigns_is_listed_with_its_requirements(make_app):
    app = make_app(plugins=["campaigns"] + list(("members",)))
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert info["campaigns"].enabled
    assert info["campaigns"].requires == ("members",)
    assert info["campaigns"].distribution == "zhanggui-campaigns"
