#include "window/GuideViewer.h"

#include <QDesktopServices>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QAbstractTextDocumentLayout>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace ss::window {

namespace {
const QString kRoot = QStringLiteral(":/docs/"); // the guide and the reference pages it links to

// The resource file behind a qrc: URL ("qrc:/docs/guide/PAGE" -> ":/docs/guide/PAGE").
QString resourcePath(const QUrl& url) { return QLatin1Char(':') + url.path(); }

bool inGuide(const QUrl& url)
{
    return url.scheme() == QLatin1String("qrc") && resourcePath(url).startsWith(kRoot) &&
        QFileInfo(resourcePath(url)).isFile();
}

// A text browser whose images fit the page: a 1920-pixel screenshot is shown
// at the viewport's width (the browser caches it at that size).
class GuideBrowser : public QTextBrowser {
public:
    using QTextBrowser::QTextBrowser;
    QVariant loadResource(int type, const QUrl& name) override
    {
        if (type != QTextDocument::ImageResource) return QTextBrowser::loadResource(type, name);
        const QUrl url = name.isRelative() ? source().resolved(name) : name;
        QImage image(url.scheme() == QLatin1String("qrc") ? resourcePath(url) : url.toLocalFile());
        if (image.isNull()) return QTextBrowser::loadResource(type, name);
        const int width = std::max(320, viewport()->width() - 40);
        if (image.width() > width) image = image.scaledToWidth(width, Qt::SmoothTransformation);
        return image;
    }
};
} // namespace

GuideViewer::GuideViewer(QWidget* parent) : QWidget(parent, Qt::Window)
{
    setObjectName("guideViewer");
    setWindowTitle(tr("ScoreScope user guide"));
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    browser_ = new GuideBrowser(this);
    browser_->setObjectName("guideBrowser");
    browser_->setOpenLinks(false); // follow() decides where a link goes
    auto button = [&](const QString& text, const QString& tip, const char* name) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setObjectName(name);
        bar->addWidget(b);
        return b;
    };
    QToolButton* back = button(tr("← Back"), tr("The previous page (Alt+Left)"), "guideBack");
    QToolButton* forward = button(tr("Forward →"), tr("The next page (Alt+Right)"), "guideForward");
    QToolButton* home = button(tr("Contents"), tr("The guide's first page"), "guideHome");
    back->setShortcut(QKeySequence::Back);
    forward->setShortcut(QKeySequence::Forward);
    back->setEnabled(false);
    forward->setEnabled(false);
    note_ = new QLabel(this);
    note_->setObjectName("guideNote");
    bar->addWidget(note_, 1);
    layout->addLayout(bar);
    layout->addWidget(browser_, 1);
    connect(back, &QToolButton::clicked, browser_, &QTextBrowser::backward);
    connect(forward, &QToolButton::clicked, browser_, &QTextBrowser::forward);
    connect(home, &QToolButton::clicked, this, [this] { showPage(indexPage()); });
    connect(browser_, &QTextBrowser::backwardAvailable, back, &QToolButton::setEnabled);
    connect(browser_, &QTextBrowser::forwardAvailable, forward, &QToolButton::setEnabled);
    connect(browser_, &QTextBrowser::anchorClicked, this, &GuideViewer::follow);
    connect(browser_, &QTextBrowser::sourceChanged, this, [this] { note_->clear(); });
    // Readable at a lectern: a little larger than the dock text.
    QFont f = browser_->font();
    f.setPointSizeF(f.pointSizeF() * 1.15);
    browser_->setFont(f);
    resize(900, 760);
    showPage(indexPage());
}

QUrl GuideViewer::indexPage()
{
    for (const char* name : {"index.md", "README.md"})
        if (QFileInfo(QStringLiteral(":/docs/guide/") + QLatin1String(name)).isFile())
            return QUrl(QStringLiteral("qrc:/docs/guide/") + QLatin1String(name));
    return QUrl(QStringLiteral("qrc:/docs/guide/index.md"));
}

bool GuideViewer::showPage(const QUrl& page)
{
    if (!inGuide(page)) {
        note_->setText(tr("“%1” is not a page of the built-in guide").arg(page.toString()));
        return false;
    }
    // A Markdown page by its suffix; anything else in the guide as HTML.
    const QString suffix = QFileInfo(page.path()).suffix().toLower();
    QUrl file = page;
    file.setFragment(QString());
    if (file != browser_->source())
        browser_->setSource(file, suffix == QLatin1String("md") ? QTextDocument::MarkdownResource
                                                                : QTextDocument::HtmlResource);
    if (page.hasFragment()) scrollToHeading(page.fragment());
    return true;
}

// Markdown headings carry no anchors in Qt: "#scene-files" is found as the
// heading whose GitHub-style slug it is (lower case, punctuation dropped,
// spaces to hyphens).
bool GuideViewer::scrollToHeading(const QString& fragment)
{
    for (QTextBlock b = browser_->document()->begin(); b.isValid(); b = b.next()) {
        if (b.blockFormat().headingLevel() == 0) continue;
        QString slug;
        for (const QChar c : b.text().toLower())
            if (c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_')) slug += c;
            else if (c.isSpace()) slug += QLatin1Char('-');
        if (slug != fragment) continue;
        browser_->setTextCursor(QTextCursor(b));
        const QRectF box = browser_->document()->documentLayout()->blockBoundingRect(b);
        browser_->verticalScrollBar()->setValue(int(box.top())); // the heading at the top
        return true;
    }
    return false;
}

QUrl GuideViewer::page() const { return browser_->source(); }

QString GuideViewer::note() const { return note_->text(); }

void GuideViewer::follow(const QUrl& link)
{
    if (link.isRelative() && link.path().isEmpty()) { // "#section" on this page
        scrollToHeading(link.fragment());
        return;
    }
    const QUrl target = link.isRelative() ? browser_->source().resolved(link) : link;
    if (target.scheme() == QLatin1String("http") || target.scheme() == QLatin1String("https") ||
        target.scheme() == QLatin1String("mailto")) {
        if (!QDesktopServices::openUrl(target)) note_->setText(tr("could not open %1").arg(target.toString()));
        return;
    }
    showPage(target);
}

} // namespace ss::window
