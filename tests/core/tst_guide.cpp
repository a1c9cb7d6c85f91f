// The user guide (docs/guide) and the formula reference (docs/reference) hold
// together, and the code cites them rather than notes outside the repository
// (issue 13, section 5). Reads the source tree only; nothing is built or run.
//
//  - linksResolve: every relative link and image in docs/guide/*.md and
//    docs/reference/*.md names a file that exists, and an anchor (#name) names
//    a heading of that page (GitHub's rule: lower case, punctuation dropped,
//    spaces to hyphens). Links in code spans and code blocks are not links.
//  - everyPageReachable: the guide's index links every guide page and the
//    reference index; every picture in docs/guide/images is used, PNG, and
//    all of them together stay under 3 MB (the repository must not bloat).
//  - noOutsideCitations: no source, test, script or doc cites the shared
//    notes' maths file, which a user's clone does not have.
//  - codeCitationsResolve: every "docs/reference/PAGE.md#anchor" (or docs/guide)
//    that a source comment cites names an existing page and heading.
#include <QtTest>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

namespace {

// The checkout this test was built from (tests/CMakeLists.txt defines it).
QDir repositoryRoot() { return QDir(QStringLiteral(SCORESCOPE_SOURCE_DIR)); }

QString readText(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return QString();
    return QString::fromUtf8(f.readAll());
}

// The lines of a Markdown page that are prose: fenced and indented code blocks
// removed (an indented block starts after a blank line), code spans blanked.
QStringList proseLines(const QString& text)
{
    QStringList out;
    bool fenced = false, indentedBlock = false, previousBlank = true;
    static const QRegularExpression codeSpan(QStringLiteral("`[^`]*`"));
    for (QString line : text.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("```"))) {
            fenced = !fenced;
            previousBlank = false;
            continue;
        }
        const bool blank = line.trimmed().isEmpty();
        const bool indented = line.startsWith(QLatin1String("    ")) || line.startsWith(QLatin1Char('\t'));
        if (indented && (previousBlank || indentedBlock)) indentedBlock = true;
        else if (!blank) indentedBlock = false;
        previousBlank = blank;
        if (fenced || indentedBlock) continue;
        out << line.replace(codeSpan, QString());
    }
    return out;
}

// GitHub's anchor for a heading: lower case; letters, digits, '-' and '_'
// kept; spaces become '-'; everything else dropped.
QString slug(const QString& heading)
{
    QString s;
    for (const QChar c : heading.trimmed()) {
        if (c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_')) s += c.toLower();
        else if (c == QLatin1Char(' ')) s += QLatin1Char('-');
    }
    return s;
}

QSet<QString> anchorsOf(const QString& path)
{
    QSet<QString> anchors;
    static const QRegularExpression heading(QStringLiteral("^#{1,6}\\s+(.*)$"));
    for (const QString& line : proseLines(readText(path))) {
        const auto m = heading.match(line);
        if (m.hasMatch()) anchors.insert(slug(m.captured(1)));
    }
    return anchors;
}

struct Link {
    QString target;
    bool image;
};

QList<Link> linksOf(const QString& path)
{
    QList<Link> links;
    static const QRegularExpression link(QStringLiteral("(!?)\\[[^\\]]*\\]\\(\\s*([^)\\s]+)(?:\\s+\"[^\"]*\")?\\s*\\)"));
    for (const QString& line : proseLines(readText(path))) {
        for (auto it = link.globalMatch(line); it.hasNext();) {
            const auto m = it.next();
            links.append({m.captured(2), !m.captured(1).isEmpty()});
        }
    }
    return links;
}

QStringList pagesIn(const QString& folder)
{
    QStringList pages;
    for (const QFileInfo& f : QDir(folder).entryInfoList({QStringLiteral("*.md")}, QDir::Files, QDir::Name))
        pages << f.absoluteFilePath();
    return pages;
}

QStringList allPages()
{
    const QDir root = repositoryRoot();
    return pagesIn(root.filePath(QStringLiteral("docs/guide"))) + pagesIn(root.filePath(QStringLiteral("docs/reference")));
}

} // namespace

class TestGuide : public QObject {
    Q_OBJECT
private slots:
    void linksResolve();
    void everyPageReachable();
    void noOutsideCitations();
    void codeCitationsResolve();
};

void TestGuide::linksResolve()
{
    const QStringList pages = allPages();
    QVERIFY2(pages.size() >= 10, qPrintable(QStringLiteral("only %1 pages found").arg(pages.size())));
    QStringList problems;
    int checked = 0;
    for (const QString& page : pages) {
        const QDir here = QFileInfo(page).absoluteDir();
        const QString name = QDir(repositoryRoot()).relativeFilePath(page);
        for (const Link& l : linksOf(page)) {
            if (l.target.contains(QLatin1String("://")) || l.target.startsWith(QLatin1String("mailto:"))) continue;
            ++checked;
            const qsizetype hash = l.target.indexOf(QLatin1Char('#'));
            const QString file = hash < 0 ? l.target : l.target.left(hash);
            const QString anchor = hash < 0 ? QString() : l.target.mid(hash + 1);
            const QString resolved = file.isEmpty() ? page : here.absoluteFilePath(file);
            if (!QFileInfo(resolved).isFile()) {
                problems << QStringLiteral("%1: %2 does not exist").arg(name, l.target);
                continue;
            }
            if (l.image && !resolved.endsWith(QLatin1String(".png")))
                problems << QStringLiteral("%1: image %2 is not a PNG").arg(name, l.target);
            if (!anchor.isEmpty() && !anchorsOf(resolved).contains(anchor))
                problems << QStringLiteral("%1: %2 has no heading #%3").arg(name, file.isEmpty() ? name : file, anchor);
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    QVERIFY2(checked >= 50, qPrintable(QStringLiteral("only %1 links checked").arg(checked)));
}

void TestGuide::everyPageReachable()
{
    const QDir guide(repositoryRoot().filePath(QStringLiteral("docs/guide")));
    QSet<QString> linked, images;
    for (const Link& l : linksOf(guide.filePath(QStringLiteral("index.md"))))
        linked.insert(QFileInfo(guide.absoluteFilePath(l.target.section(QLatin1Char('#'), 0, 0))).canonicalFilePath());
    for (const QString& page : pagesIn(guide.path())) {
        if (page.endsWith(QLatin1String("/index.md"))) continue;
        QVERIFY2(linked.contains(QFileInfo(page).canonicalFilePath()),
                 qPrintable(QStringLiteral("docs/guide/index.md does not link %1").arg(QFileInfo(page).fileName())));
    }
    QVERIFY2(linked.contains(QFileInfo(guide.filePath(QStringLiteral("../reference/index.md"))).canonicalFilePath()),
             "docs/guide/index.md does not link the reference");

    for (const QString& page : pagesIn(guide.path()))
        for (const Link& l : linksOf(page))
            if (l.image) images.insert(QFileInfo(guide.absoluteFilePath(l.target)).canonicalFilePath());
    qint64 bytes = 0;
    const QFileInfoList files = QDir(guide.filePath(QStringLiteral("images"))).entryInfoList(QDir::Files);
    QVERIFY2(!files.isEmpty(), "docs/guide/images is empty: run scripts/guide-screenshots.sh");
    for (const QFileInfo& f : files) {
        QVERIFY2(f.suffix() == QLatin1String("png"), qPrintable(f.fileName() + QStringLiteral(" is not a PNG")));
        QVERIFY2(images.contains(f.canonicalFilePath()),
                 qPrintable(QStringLiteral("docs/guide/images/%1 is used by no page").arg(f.fileName())));
        bytes += f.size();
    }
    QVERIFY2(bytes < 3 * 1024 * 1024, qPrintable(QStringLiteral("the guide's images take %1 bytes").arg(bytes)));
}

void TestGuide::noOutsideCitations()
{
    // Spelled in two parts so that this file does not cite it either.
    const QString notes = QStringLiteral("MATH") + QStringLiteral(".md");
    const QDir root = repositoryRoot();
    QStringList citing;
    for (const char* folder : {"core", "app", "cli", "tests", "bench", "scripts", "docs", "fuzz", "cmake"}) {
        QVERIFY2(root.exists(folder), qPrintable(root.filePath(folder) + QStringLiteral(" is missing")));
        QDirIterator it(root.filePath(folder), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.endsWith(QLatin1String(".png"))) continue;
            if (readText(path).contains(notes)) citing << root.relativeFilePath(path);
        }
    }
    for (const char* file : {"README.md", "CMakeLists.txt"})
        if (readText(root.filePath(file)).contains(notes)) citing << QString::fromLatin1(file);
    QVERIFY2(citing.isEmpty(), qPrintable(QStringLiteral("cite %1: ").arg(notes) + citing.join(QStringLiteral(", "))));
}

void TestGuide::codeCitationsResolve()
{
    const QDir root = repositoryRoot();
    static const QRegularExpression cite(QStringLiteral("docs/(?:reference|guide)/[A-Za-z0-9_-]+\\.md(?:#[A-Za-z0-9_-]+)?"));
    QStringList problems;
    int checked = 0;
    for (const char* folder : {"core", "app", "cli", "tests", "bench", "scripts"}) {
        QDirIterator it(root.filePath(folder), {QStringLiteral("*.h"), QStringLiteral("*.cpp"), QStringLiteral("*.sh")},
                        QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.endsWith(QLatin1String("tst_guide.cpp"))) continue; // its comments show the pattern
            for (auto m = cite.globalMatch(readText(path)); m.hasNext();) {
                const QString target = m.next().captured(0);
                ++checked;
                const QString file = root.filePath(target.section(QLatin1Char('#'), 0, 0));
                const QString anchor = target.section(QLatin1Char('#'), 1);
                if (!QFileInfo(file).isFile())
                    problems << QStringLiteral("%1 cites %2: no such page").arg(root.relativeFilePath(path), target);
                else if (!anchor.isEmpty() && !anchorsOf(file).contains(anchor))
                    problems << QStringLiteral("%1 cites %2: no such heading").arg(root.relativeFilePath(path), target);
            }
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    QVERIFY2(checked >= 15, qPrintable(QStringLiteral("only %1 citations found").arg(checked)));
}

QTEST_APPLESS_MAIN(TestGuide)
#include "tst_guide.moc"
