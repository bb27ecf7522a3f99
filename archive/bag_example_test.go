package archive_test

import (
	"fmt"

	"onewindow/archive"
)

// A bag's base directory, and the zip's name, come from the case number in characters every
// unzip tool on every system keeps as they are.
func ExampleBagName() {
	fmt.Println(archive.BagName("JL2026-0001"))
	fmt.Println(archive.BagName("吉政（2026）第12号"))
	fmt.Println(archive.BagName(""))
	// Output:
	// JL2026-0001
	// 2026_12
	// bag
}
