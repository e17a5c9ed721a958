def test_office_is_listed_with_its_requirements(make_app):
    app = make_app(plugins=["office"] + list(()))
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert info["office"].enabled
    assert info["office"].requires == ()
    assert info["office"].distribution == "zhanggui-office"
