#pragma once
// The Measurements dock (MeasurementsPanel), tabbed with Training and Lesson
// on the right: it shows each measurement the controller's measure worker
// publishes, and measures only while it is shown (a hidden tab costs nothing).
namespace ss::window {

class MainWindow;
class MeasurementsPanel;

MeasurementsPanel* addMeasurementsDock(MainWindow* w);

} // namespace ss::window
