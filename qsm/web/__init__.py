"""The page layer every module's pages share: form base and widgets (``forms``), the record page's
POST base view and the list/export views (``views``). Templates: ``templates/qsm/``."""
