def test_suppliers_is_listed_with_its_requirements(make_app):
    app = make_app(plugins=["suppliers"] + list(()))
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert info["suppliers"].enabled
    assert info["suppliers"].requires == ()
    assert info["suppliers"].distribution == "zhanggui-suppliers"
