package engine

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	rec := json.RawMessage(`{"Id":"abc","Created":"2026-11-30T10:00:00.5Z","NetworkSettings":{"Networks":{
		"zeta":{"MacAddress":"02:42:ac:11:00:03","IPAddress":"172.18.0.3","IPPrefixLen":16,"Gateway":"172.18.0.1"},
		"bridge":{"MacAddress":"02:42:ac:11:00:02","IPAddress":"172.17.0.2","IPPrefixLen":16,"Gateway":"172.17.0.1"},
		"gone":null}}}`)
	s, err := Summarize(rec)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 30, 10, 0, 0, 5e8, time.UTC); !s.Created.Equal(want) {
		t.Errorf("created %v, want %v", s.Created, want)
	}
	if len(s.Endpoints) != 2 || s.Endpoints[0] != (Endpoint{"bridge", "02:42:ac:11:00:02", "172.17.0.2", 16, "172.17.0.1"}) || s.Endpoints[1].Network != "zeta" {
		t.Errorf("endpoints %+v", s.Endpoints)
	}
	if s, err := Summarize(nil); err != nil || len(s.Endpoints) != 0 || !s.Created.IsZero() {
		t.Errorf("empty record: %+v, %v", s, err)
	}
	if _, err := Summarize(json.RawMessage(`{"Id":`)); err == nil {
		t.Error("a broken record gave no error")
	}
}
