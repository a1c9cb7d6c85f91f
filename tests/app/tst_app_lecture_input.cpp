// The lecture presets' reader on malformed input (fuzz/fuzz_lecture's
// findings, kept as regressions; their inputs are also in
// fuzz/regressions/lecture): every one is refused with an InputError.
// Before: a version of 7e78 was cast to int (undefined behaviour, UBSan
// abort) and a "format" that is not a string threw nlohmann's type_error,
// which nothing catches.
#include "window/LecturePresets.h"

#include "core/Error.h"

#include <QtTest>

using namespace ss;
using namespace ss::window;

class TestAppLectureInput : public QObject {
    Q_OBJECT
private slots:
    void refused_data();
    void refused();
};

void TestAppLectureInput::refused_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("huge version") << QByteArray(R"({"format": "scorescope-lecture", "version": 7e78})");
    QTest::newRow("version 1.5") << QByteArray(R"({"format": "scorescope-lecture", "version": 1.5})");
    QTest::newRow("version a string") << QByteArray(R"({"format": "scorescope-lecture", "version": "1"})");
    QTest::newRow("format a number") << QByteArray(R"({"format": 5, "version": 1})");
    QTest::newRow("not an object") << QByteArray("[1, 2]");
    QTest::newRow("no version") << QByteArray(R"({"format": "scorescope-lecture"})");
}

void TestAppLectureInput::refused()
{
    QFETCH(QByteArray, text);
    try {
        lecturePresetFromJson(text, QStringLiteral("bad.json"));
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).startsWith("bad.json: not a version-1 scorescope-lecture file"), e.what());
    }
}

QTEST_APPLESS_MAIN(TestAppLectureInput)
#include "tst_app_lecture_input.moc"
