package main

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// outline returns a Markdown text's heading levels, in order, and its fenced
// code blocks (info string and body), in order.
func outline(text string) (levels []int, blocks []string) {
	var block []string
	inFence := false
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(l, "```"):
			block = append(block, l)
			if inFence {
				blocks = append(blocks, strings.Join(block, "\n"))
				block = nil
			}
			inFence = !inFence
		case inFence:
			block = append(block, l)
		case strings.HasPrefix(l, "#"):
			if n := len(l) - len(strings.TrimLeft(l, "#")); strings.HasPrefix(l[n:], " ") {
				levels = append(levels, n)
			}
		}
	}
	return levels, blocks
}

// TestReadmeTranslation keeps README.zh-CN.md in step with README.md: the
// same sections (heading levels, in order) and the same code blocks, byte
// for byte, in the same order. When README.md changes, translate the change.
func TestReadmeTranslation(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	enLevels, enBlocks := outline(read("README.md"))
	zhLevels, zhBlocks := outline(read("README.zh-CN.md"))
	if !slices.Equal(enLevels, zhLevels) {
		t.Errorf("README.zh-CN.md's headings (levels %v) differ from README.md's (%v): translate the sections that changed", zhLevels, enLevels)
	}
	if len(enBlocks) != len(zhBlocks) {
		t.Errorf("README.zh-CN.md has %d code blocks, README.md %d", len(zhBlocks), len(enBlocks))
	}
	for i := range min(len(enBlocks), len(zhBlocks)) {
		if enBlocks[i] != zhBlocks[i] {
			t.Errorf("code block %d differs; README.md has:\n%s\nREADME.zh-CN.md has:\n%s", i+1, enBlocks[i], zhBlocks[i])
		}
	}
}

// TestOutline checks outline itself: a heading inside a fence is code, and
// "#hashtag" is no heading.
func TestOutline(t *testing.T) {
	levels, blocks := outline("# a\n#no\n## b\n```sh\n# comment\n```\n### c\n")
	if !slices.Equal(levels, []int{1, 2, 3}) || len(blocks) != 1 || blocks[0] != "```sh\n# comment\n```" {
		t.Errorf("outline: levels %v, blocks %q", levels, blocks)
	}
}
