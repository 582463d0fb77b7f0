"""The Qt side: PySide6 widgets, pyvistaqt, the Qt half of threading. The only package that imports Qt."""
