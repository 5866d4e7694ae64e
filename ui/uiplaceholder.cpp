// The window arrives with the window issue.
namespace Parallax::Ui {
int placeholder();
int placeholder()
{
    return 0;
}
} // namespace Parallax::Ui
