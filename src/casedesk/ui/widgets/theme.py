"""The look: a calm light palette, one restrained accent colour and a single style sheet.

Colours are named by role, so screens say ``role="muted"`` instead of repeating hex values.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from casedesk.paths import resources_dir

ACCENT = "#1f6f8b"
ACCENT_DARK = "#175a71"
ACCENT_SOFT = "#e4f0f4"
WINDOW = "#f5f6f8"
SURFACE = "#ffffff"
BORDER = "#dde1e6"
TEXT = "#1d2733"
MUTED = "#5b6776"
DANGER = "#b42318"
DANGER_SOFT = "#fdecea"
WARNING = "#a15c07"
WARNING_SOFT = "#fdf3e1"
SUCCESS = "#0b7a4b"
SUCCESS_SOFT = "#e6f4ec"
DISABLED = "#9aa4af"  # text of anything that can't be used now (the colour above overrides Qt's)

PREFERRED_FONTS = ("Inter", "Segoe UI", "Noto Sans", "Cantarell", "Ubuntu", "DejaVu Sans")

STYLE_SHEET = f"""
QWidget {{ color: {TEXT}; }}
QWidget:disabled, QMenu::item:disabled, QMenuBar::item:disabled {{ color: {DISABLED}; }}
QMainWindow, QDialog {{ background: {WINDOW}; }}
QLabel[role="title"] {{ font-size: 19pt; font-weight: 600; }}
QLabel[role="heading"] {{ font-size: 13pt; font-weight: 600; }}
QLabel[role="subheading"] {{ font-size: 10.5pt; font-weight: 600; color: {MUTED}; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="error"] {{ color: {DANGER}; background: {DANGER_SOFT}; border-radius: 6px;
    padding: 8px 10px; }}
QLabel[role="notice"] {{ color: {WARNING}; background: {WARNING_SOFT}; border-radius: 6px;
    padding: 8px 10px; }}
QLabel[role="ok"] {{ color: {SUCCESS}; background: {SUCCESS_SOFT}; border-radius: 6px;
    padding: 8px 10px; }}
QLabel[role="metric"] {{ font-size: 21pt; font-weight: 600; }}
QLabel[role="key"] {{ font-family: "DejaVu Sans Mono", "Consolas", monospace; font-size: 15pt;
    background: {SURFACE}; border: 1px dashed {ACCENT}; border-radius: 8px; padding: 14px; }}
QFrame[role="card"] {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame[role="card"] QLabel {{ background: transparent; }}
QFrame[role="sidebar"] {{ background: #eef1f4; border-right: 1px solid {BORDER}; }}
QListWidget#navigation {{ background: transparent; border: none; outline: 0;
    font-size: 10.5pt; }}
QListWidget#navigation::item {{ padding: 9px 12px; margin: 2px 8px; border-radius: 7px; }}
QListWidget#navigation::item:hover {{ background: #e2e7ec; }}
QListWidget#navigation::item:selected {{ background: {ACCENT_SOFT}; color: {ACCENT_DARK};
    font-weight: 600; }}
QLineEdit, QSpinBox, QComboBox, QPlainTextEdit, QTextEdit {{ background: {SURFACE};
    border: 1px solid #c9d0d8; border-radius: 6px; padding: 6px 8px; }}
QLineEdit:focus, QSpinBox:focus, QComboBox:focus, QPlainTextEdit:focus {{
    border: 1px solid {ACCENT}; }}
QPushButton {{ background: {SURFACE}; border: 1px solid #c3cad3; border-radius: 6px;
    padding: 7px 16px; min-height: 20px; }}
QPushButton:hover {{ background: #eef2f5; }}
QPushButton:focus {{ border: 1px solid {ACCENT}; }}
QPushButton:disabled {{ color: {DISABLED}; background: #f1f3f5; border-color: #dde1e6; }}
QPushButton[role="primary"] {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT};
    font-weight: 600; }}
QPushButton[role="primary"]:hover {{ background: {ACCENT_DARK}; }}
QPushButton[role="primary"]:disabled {{ background: #9cbfcc; border-color: #9cbfcc;
    color: #f4f8fa; }}
QPushButton[role="link"] {{ background: transparent; border: none; color: {ACCENT};
    padding: 2px 0; text-align: left; }}
QPushButton[role="link"]:hover {{ text-decoration: underline; }}
QToolButton#lockButton {{ border: 1px solid #c3cad3; border-radius: 6px; padding: 3px 10px;
    background: {SURFACE}; }}
QProgressBar {{ border: 1px solid {BORDER}; border-radius: 5px; background: #eceff2;
    text-align: center; min-height: 10px; max-height: 10px; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 5px; }}
QTreeView, QTableView, QListView#plainList {{ background: {SURFACE}; border: 1px solid {BORDER};
    border-radius: 8px; alternate-background-color: #f8fafb; selection-background-color:
    {ACCENT_SOFT}; selection-color: {TEXT}; }}
QTreeView::item, QListView#plainList::item {{ padding: 5px 2px; }}
QHeaderView::section {{ background: #f0f2f5; border: none; border-bottom: 1px solid {BORDER};
    padding: 6px 8px; font-weight: 600; color: {MUTED}; }}
QStatusBar {{ background: #eef1f4; border-top: 1px solid {BORDER}; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 6px; }}
QMenuBar {{ background: {WINDOW}; }}
QScrollArea {{ background: transparent; border: none; }}
QComboBox {{ padding-right: 26px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right;
    width: 24px; border: none; }}
QComboBox::down-arrow {{ image: url("{{icons}}/chevron-down.svg"); width: 12px; height: 12px; }}
QSpinBox {{ padding-right: 22px; }}
QSpinBox::up-button, QSpinBox::down-button {{ subcontrol-origin: border; width: 20px;
    border: none; background: transparent; }}
QSpinBox::up-button {{ subcontrol-position: top right; }}
QSpinBox::down-button {{ subcontrol-position: bottom right; }}
QSpinBox::up-arrow {{ image: url("{{icons}}/chevron-up.svg"); width: 10px; height: 10px; }}
QSpinBox::down-arrow {{ image: url("{{icons}}/chevron-down.svg"); width: 10px; height: 10px; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
"""


def apply_theme(app: QApplication) -> None:
    """Fusion style, a light palette, a readable font and the style sheet."""
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(WINDOW))
    palette.setColor(QPalette.ColorRole.Base, QColor(SURFACE))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8fafb"))
    palette.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a95a3"))
    app.setPalette(palette)
    families = set(QFontDatabase.families())
    for family in PREFERRED_FONTS:
        if family in families:
            font = QFont(family)
            font.setPointSizeF(max(app.font().pointSizeF(), 10.0))
            app.setFont(font)
            break
    icons = (resources_dir() / "icons").as_posix()
    app.setStyleSheet(STYLE_SHEET.replace("{icons}", icons))
