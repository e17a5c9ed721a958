def test_search_is_listed_with_its_requirements(make_app):
    app = make_app(plugins=["search"] + list(()))
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert info["search"].enabled
    assert info["search"].requires == ()
    assert info["search"].distribution == "zhanggui-search"
