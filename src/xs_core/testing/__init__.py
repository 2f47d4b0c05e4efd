"""Testing support for users of xs: hypothesis strategies (install the ``testing`` extra)."""
