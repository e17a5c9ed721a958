def test_admin_sees_dashboard_and_plugin_page(admin_client):
    page = admin_client.get("/")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    assert "zg-dashboard" in page.get_data(as_text=True)
    plugins = admin_client.get("/plugins/")
    assert plugins.status_code == 200
    assert 'data-plugin="members"' in plugins.get_data(as_text=True)
