package vntext_test

import (
	"fmt"

	"dancu/internal/vntext"
)

func ExampleCanonical() {
	fmt.Println(vntext.Canonical("  Nguyễn Thị  Thuý Hoà "))
	fmt.Println(vntext.Canonical("KHOẺ, Thuỵ, quý, gìn, hòang"))
	// Output:
	// Nguyễn Thị Thúy Hòa
	// KHỎE, Thụy, quý, gìn, hoàng
}

func ExampleFold() {
	fmt.Println(vntext.Fold("Đặng Thị Hoà"))
	fmt.Println(vntext.Fold("H’Hen Niê"), vntext.Fold("H'Hen Niê"), vntext.Fold("Hhen Nie"))
	fmt.Println(vntext.Fold("Nguyễn-Văn  An."))
	// Output:
	// dang thi hoa
	// hhen nie hhen nie hhen nie
	// nguyen van an
}

func ExampleSimilarity() {
	fmt.Printf("%.2f\n", vntext.Similarity("Nguyễn Thị Thuý", "Nguyễn Thị Thúy"))
	fmt.Printf("%.2f\n", vntext.Similarity("Nguyễn Văn An", "Nguyen Van An"))
	fmt.Printf("%.2f\n", vntext.Similarity("Nguyễn Văn An", "Văn An Nguyễn"))
	fmt.Printf("%.2f\n", vntext.Similarity("Nguyễn Văn An", "Nguyễn An"))
	fmt.Printf("%.2f\n", vntext.Similarity("Nguyễn Văn An", "Trần Thị Bích"))
	// Output:
	// 1.00
	// 0.97
	// 0.93
	// 0.88
	// 0.00
}
