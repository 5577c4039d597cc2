// Package preflight checks that a machine can checkpoint and restore Docker
// containers with CRIU: the criu binary and its version, CRIU's own kernel
// checks, the Docker daemon, privileges, cgroups and the network lock. The
// facts are gathered in gather_linux.go; turning them into a report is pure
// and lives here, so it is tested without root.
package preflight

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// Status is the verdict of one check.
type Status string

const (
	OK   Status = "ok"   // works as ckpt needs
	Warn Status = "warn" // works, with a limit the user should know
	Fail Status = "fail" // ckpt cannot do its job until this is fixed
)

// Item is one line of the report.
type Item struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Report is the whole preflight result, in a fixed order.
type Report struct {
	Items []Item `json:"items"`
	OK    bool   `json:"ok"` // no item failed
}

// newReport computes OK from the items.
func newReport(items []Item) Report {
	r := Report{Items: items, OK: true}
	for _, it := range items {
		if it.Status == Fail {
			r.OK = false
		}
	}
	return r
}

// WriteText renders the report as a table for people.
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, it := range r.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", it.Status, it.Name, it.Detail)
		if it.Fix != "" && it.Status != OK {
			fmt.Fprintf(tw, "\t\t  fix: %s\n", it.Fix)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "ready: nothing failed"
	if !r.OK {
		verdict = "not ready: fix the failed checks above"
	}
	_, err := fmt.Fprintln(w, verdict)
	return err
}

// WriteJSON renders the report as one JSON object for scripts.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
