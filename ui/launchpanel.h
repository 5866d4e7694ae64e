#pragma once

#include "agents/agentimage.h"
#include "docker/dockertypes.h"
#include "presets.h"
#include "run/runspec.h"
#include "util/result.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QTableView;
class QToolButton;

namespace Parallax {

class VariationTableModel;

// The form a run is described in, beside the panes: a preset picker, then the fields of a run
// spec grouped as Agent, Task, Variations and Limits, and a Launch button. The form is only a
// way of writing a spec: spec() turns it into the CLI's JSON and reads that back with
// RunSpec::fromJson, so the panel and `parallax run` accept and reject exactly the same things
// with the same messages, which validate() shows under the fields they concern. Owned by the
// main window; GUI thread.
class LaunchPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LaunchPanel(QWidget *parent = nullptr);
    ~LaunchPanel() override;

    // Replaces the whole form and marks it unmodified; the current file is kept.
    void setSpec(const RunSpec &spec);
    // On failure problems receives every problem, the form's own (text that does not parse)
    // and RunSpec::fromJson's, each with its JSON field path.
    Result<RunSpec> spec(QList<SpecProblem> *problems = nullptr) const;
    // Shows each problem under the field it concerns (rows of the variation table are tinted
    // and selected), clearing what an earlier call showed. Returns whether the spec is valid.
    bool validate();

    // RunSpec::fromFile, then setSpec; the form is untouched on failure.
    Result<void> loadFile(const QString &path);
    // Validates, then writes the canonical JSON (RunSpec::toJsonBytes).
    Result<void> saveFile(const QString &path);
    QString currentFile() const { return m_currentFile; }
    bool isModified() const { return m_modified; }
    void setModified(bool modified);

    // Fills the image list with the local images' tags; what is typed in the field stays.
    void setImages(const QList<ImageSummary> &images);
    // Whether `image` names a local image of the last setImages() ("busybox" finds
    // "busybox:latest", and Podman's "localhost/..." and Docker Hub's "docker.io/library/..."
    // spellings match the short name).
    bool isLocalImage(const QString &image) const;
    // The image the form would pull: the typed image when the list is known and lacks it.
    QString missingImage() const;

    const Presets &presets() const { return m_presets; }
    // Fills the form from a preset as choosing it in the combo box does (without asking
    // about unsaved changes): no current file, unmodified. False for an unknown id.
    bool applyPreset(const QString &id);

    VariationTableModel *variationModel() const { return m_variations; }

    // The agent image the form runs in: set when an agent preset (docs/agents.md) filled the
    // form and the image field still holds its tag; the window builds it before launching.
    std::optional<AgentSpec> agent() const;
    QString agentTag() const { return m_agentTag; }

signals:
    void launchRequested();
    void imagesRefreshRequested();
    void pullRequested(const QString &image); // the Pull button, for a missing image
    void buildImageRequested();               // the Build Image button, for an agent preset
    void modifiedChanged(bool modified);
    void currentFileChanged(const QString &path);

protected:
    bool event(QEvent *event) override;

private:
    QWidget *buildPresetSection();
    QWidget *buildAgentSection();
    QWidget *buildTaskSection();
    QWidget *buildVariationsSection();
    QWidget *buildLimitsSection();
    QWidget *withError(QWidget *field, const QString &area);
    QLabel *makeErrorLabel(const QString &area);

    void fillForm(const RunSpec &spec);
    void onPresetActivated(int index);
    void onCountChanged(int count);
    void syncCountFromTable();
    void updateButtons();
    void updateSecretsHint();
    void addVariation();
    void duplicateVariation();
    void removeVariations();
    void edited(const QString &area);
    void clearProblem(const QString &area);
    void clearAllProblems();
    void showProblem(const QString &area, const QString &text);
    void setCurrentFile(const QString &path);
    void resetImagePlaceholder();
    void updatePullButton();
    QString areaFor(const QString &field) const;

    Presets m_presets;
    VariationTableModel *m_variations = nullptr;

    QScrollArea *m_scroll = nullptr;
    QComboBox *m_preset = nullptr;
    QLabel *m_presetDescription = nullptr;
    QLabel *m_presetNotes = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_image = nullptr;
    QToolButton *m_refreshImages = nullptr;
    QToolButton *m_pullImage = nullptr;
    QStringList m_localTags;
    bool m_imagesKnown = false; // setImages() has been called: "missing" means something
    QLineEdit *m_command = nullptr;
    QLineEdit *m_env = nullptr;
    QLineEdit *m_workdir = nullptr;
    QLineEdit *m_secrets = nullptr;
    QLabel *m_secretsHint = nullptr;
    QLineEdit *m_repoUrl = nullptr;
    QLineEdit *m_repoRef = nullptr;
    QPlainTextEdit *m_prompt = nullptr;
    QSpinBox *m_count = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_duplicate = nullptr;
    QPushButton *m_remove = nullptr;
    QLineEdit *m_memory = nullptr;
    QLineEdit *m_cpus = nullptr;
    QLineEdit *m_pids = nullptr;
    QLineEdit *m_timeout = nullptr;
    QCheckBox *m_tty = nullptr;
    QCheckBox *m_keep = nullptr;
    QComboBox *m_network = nullptr;
    QToolButton *m_buildImage = nullptr;
    std::optional<AgentSpec> m_agent; // from the last agent preset applied
    QString m_agentTag;
    QLabel *m_status = nullptr;
    QPushButton *m_launch = nullptr;
    QHash<QString, QLabel *> m_errors; // by area: "image", "limits.memory", "variations", ...

    QString m_currentFile;
    bool m_modified = false;
    bool m_filling = false;    // setSpec is writing the fields: not a user edit
    bool m_preferCount = true; // write "variations": N while the rows are plain v1..vN
    int m_loadedCountHint = 0;
    int m_presetIndex = -1; // the combo's index, restored when replacing is cancelled
};

} // namespace Parallax
