"""The loyalty console: model views, form screens, validation, the dashboard tile, the
360° panel and the default roles and menu."""
