def test_members_is_listed_with_its_requirements(make_app):
    app = make_app(plugins=["members"] + list(()))
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert info["members"].enabled
    assert info["members"].requires == ()
    assert info["members"].distribution == "zhanggui-members"
