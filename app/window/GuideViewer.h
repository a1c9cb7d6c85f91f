#pragma once
// Help → User guide: the Markdown pages of docs/guide/, built into the program
// as Qt resources under :/docs/guide/ with the reference pages it links to
// (:/docs/reference/; app/window/CMakeLists.txt globs them), shown
// with Qt's Markdown support. Links between pages are relative and followed
// here (with back and forward); a link out of the guide (http, mailto) opens
// in the desktop's browser; anything else is refused with a note in the
// viewer's own status line. Wide images (the screenshots) are scaled down to
// the page's width.
#include <QUrl>
#include <QWidget>

class QLabel;
class QTextBrowser;

namespace ss::window {

class GuideViewer : public QWidget {
    Q_OBJECT
public:
    explicit GuideViewer(QWidget* parent = nullptr); // a window of its own

    // The entry page: index.md, or README.md where the guide has no index.
    static QUrl indexPage();
    // Shows a page of the guide (qrc:/docs/...; a #fragment scrolls to its heading); false (and a note) when it
    // is not one.
    bool showPage(const QUrl& page);
    QUrl page() const;
    QTextBrowser* browser() const { return browser_; }
    QString note() const; // the status line: why a link was not followed

private:
    void follow(const QUrl& link); // a clicked link, relative to the page shown
    bool scrollToHeading(const QString& fragment);

    QTextBrowser* browser_;
    QLabel* note_;
};

} // namespace ss::window
