#include "window/AboutDialog.h"

#include "core/Version.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>
#include <QtGlobal>

namespace ss::window {

QString AboutDialog::aboutText(const QString& glDescription)
{
    const QString gl = glDescription.isEmpty() ? tr("not known yet (the scene has not drawn)") : glDescription;
    return tr("<h2>ScoreScope %1</h2>"
              "<p>A lab for 2D score-based generative models: train a score network on a data set you choose or "
              "draw, and watch every sampler carry particles from noise to data.</p>"
              "<table cellspacing='4'>"
              "<tr><td><b>Version</b></td><td>%1</td></tr>"
              "<tr><td><b>Qt</b></td><td>%2 at run time, built with %3</td></tr>"
              "<tr><td><b>OpenGL</b></td><td>%4</td></tr>"
              "<tr><td><b>Licence</b></td><td>%5</td></tr>"
              "</table>")
        .arg(QString::fromLatin1(ss::kVersion), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             gl.toHtmlEscaped(), QString::fromLatin1(ss::kLicence));
}

AboutDialog::AboutDialog(const QString& glDescription, QWidget* parent) : QDialog(parent)
{
    setObjectName("aboutDialog");
    setWindowTitle(tr("About ScoreScope"));
    auto* layout = new QVBoxLayout(this);
    label_ = new QLabel(aboutText(glDescription), this);
    label_->setObjectName("aboutText");
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse); // a bug report can quote it
    layout->addWidget(label_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(520);
}

QString AboutDialog::text() const { return label_->text(); }

} // namespace ss::window
