// Package osrm is a geo.Source backed by the table service of an OSRM
// server (http://project-osrm.org/docs/v5.24.0/api/#table-service), for
// counties that run one (OSRM_URL).
//
// Large matrices are split into blocks of at most BatchSize origins ×
// BatchSize destinations, the limit osrm-routed enforces with
// --max-table-size (default 100). null entries (no route) become
// unreachable pairs; a server that times out, answers an error or returns
// anything that is not a well-formed table is an error, which a geo.Fallback
// turns into the estimate.
package osrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// Defaults of Client.
const (
	DefaultBatchSize = 100
	DefaultTimeout   = 30 * time.Second
	DefaultMaxSnapM  = 5000
	// maxBody bounds a response: 100×100 durations and distances as JSON
	// are well under 1 MB.
	maxBody = 32 << 20
)

// DefaultProfiles maps modes to OSRM profile names. A server usually runs
// one profile whatever the URL says; motorbikes use the car profile unless
// the county runs a motorbike profile and sets it in Profiles.
var DefaultProfiles = map[geo.Mode]string{geo.Car: "driving", geo.Motorbike: "driving", geo.Foot: "foot"}

// Client queries an OSRM server. It implements geo.Source and is safe for
// concurrent use. Only BaseURL is required.
type Client struct {
	// BaseURL is the server root, e.g. "http://127.0.0.1:5000".
	BaseURL string
	// Profiles overrides DefaultProfiles per mode.
	Profiles map[geo.Mode]string
	// HTTP is the client used; nil means one with DefaultTimeout.
	HTTP *http.Client
	// BatchSize is the largest number of origins (and of destinations) per
	// request; 0 means DefaultBatchSize.
	BatchSize int
	// MaxSnapM is the largest acceptable distance in metres from a location
	// to the road OSRM snapped it to; 0 means DefaultMaxSnapM.
	MaxSnapM float64
	// DataVersion, if set, is part of the fingerprint; set it when the
	// server's data is updated so that cached matrices are dropped.
	DataVersion string
}

// New returns a Client for baseURL with the defaults, after checking that
// the URL is absolute http(s).
func New(baseURL string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("osrm: invalid server URL %q (want http://host:port)", baseURL)
	}
	return &Client{BaseURL: u.String()}, nil
}

// Name returns "osrm".
func (c *Client) Name() string { return geo.SourceOSRM }

// Fingerprint is the server URL, profiles and DataVersion.
func (c *Client) Fingerprint() string {
	var ps []string
	for _, m := range geo.Modes {
		ps = append(ps, c.profile(m))
	}
	return fmt.Sprintf("osrm:%s|%s|%s|snap=%g", c.BaseURL, strings.Join(ps, ","), c.DataVersion, c.maxSnap())
}

func (c *Client) profile(m geo.Mode) string {
	if p, ok := c.Profiles[m]; ok && p != "" {
		return p
	}
	return DefaultProfiles[m]
}

func (c *Client) maxSnap() float64 {
	if c.MaxSnapM > 0 {
		return c.MaxSnapM
	}
	return DefaultMaxSnapM
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: DefaultTimeout}
}

// TableResponse is the part of OSRM's table response that is used.
// Durations are seconds, distances metres; nil entries are null (no route).
type TableResponse struct {
	Code         string       `json:"code"`
	Message      string       `json:"message"`
	Durations    [][]*float64 `json:"durations"`
	Distances    [][]*float64 `json:"distances"`
	Sources      []Waypoint   `json:"sources"`
	Destinations []Waypoint   `json:"destinations"`
}

// Waypoint is a snapped input coordinate; Distance is the snap distance in
// metres.
type Waypoint struct {
	Location []float64 `json:"location"`
	Distance float64   `json:"distance"`
	Name     string    `json:"name"`
}

// DecodeTable parses and checks a table response for ns origins and nd
// destinations: code "Ok", ns×nd durations and distances of finite
// non-negative numbers or null, and ns/nd waypoints.
func DecodeTable(r io.Reader, ns, nd int) (*TableResponse, error) {
	var t TableResponse
	dec := json.NewDecoder(io.LimitReader(r, maxBody))
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("invalid table response: %w", err)
	}
	if t.Code != "Ok" {
		return nil, fmt.Errorf("server error %q: %s", t.Code, t.Message)
	}
	check := func(name string, a [][]*float64) error {
		if len(a) != ns {
			return fmt.Errorf("invalid table response: %d %s rows, want %d", len(a), name, ns)
		}
		for i, row := range a {
			if len(row) != nd {
				return fmt.Errorf("invalid table response: %s row %d has %d entries, want %d", name, i, len(row), nd)
			}
			for j, v := range row {
				if v != nil && (*v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0)) {
					return fmt.Errorf("invalid table response: %s[%d][%d] = %v", name, i, j, *v)
				}
			}
		}
		return nil
	}
	if err := check("durations", t.Durations); err != nil {
		return nil, err
	}
	if t.Distances == nil {
		return nil, errors.New("invalid table response: no distances (server older than OSRM 5.20?)")
	}
	if err := check("distances", t.Distances); err != nil {
		return nil, err
	}
	if len(t.Sources) != ns || len(t.Destinations) != nd {
		return nil, fmt.Errorf("invalid table response: %d sources and %d destinations, want %d and %d", len(t.Sources), len(t.Destinations), ns, nd)
	}
	return &t, nil
}

// Matrix implements geo.Source with one table request per block.
func (c *Client) Matrix(ctx context.Context, locs []geo.Location, mode geo.Mode) (*geo.Matrix, error) {
	if !mode.Valid() {
		return nil, fmt.Errorf("osrm: invalid travel mode %q", mode)
	}
	if err := geo.CheckLocations(locs); err != nil {
		return nil, fmt.Errorf("osrm: %w", err)
	}
	n := len(locs)
	m := geo.NewMatrix(geo.IDs(locs), mode, geo.SourceOSRM)
	m.Snaps = make([]geo.Snap, n)
	for i, l := range locs {
		m.Snaps[i] = geo.Snap{ID: l.ID, SnapM: -1}
	}
	bs := c.BatchSize
	if bs <= 0 {
		bs = DefaultBatchSize
	}
	null := make([][]bool, n)
	for i := range null {
		null[i] = make([]bool, n)
	}
	for s0 := 0; s0 < n; s0 += bs {
		s1 := min(s0+bs, n)
		for d0 := 0; d0 < n; d0 += bs {
			d1 := min(d0+bs, n)
			t, err := c.table(ctx, locs[s0:s1], locs[d0:d1], s0 == d0, mode)
			if err != nil {
				return nil, fmt.Errorf("osrm table (origins %d-%d, destinations %d-%d): %w", s0, s1-1, d0, d1-1, err)
			}
			for i := s0; i < s1; i++ {
				if d0 == 0 {
					wp := t.Sources[i-s0]
					m.Snaps[i].SnapM = math.Round(wp.Distance*10) / 10
					if len(wp.Location) == 2 {
						m.Snaps[i].Point = orb.Point{wp.Location[0], wp.Location[1]}
					}
				}
				for j := d0; j < d1; j++ {
					if i == j {
						continue
					}
					du, di := t.Durations[i-s0][j-d0], t.Distances[i-s0][j-d0]
					if du == nil || di == nil {
						null[i][j] = true
						continue
					}
					m.Durations[i][j] = int64(math.Round(*du))
					m.Distances[i][j] = int64(math.Round(*di))
				}
			}
		}
	}
	var se *geo.SnapError
	for i := range m.Snaps {
		m.Snaps[i].OK = m.Snaps[i].SnapM >= 0 && m.Snaps[i].SnapM <= c.maxSnap()
		if !m.Snaps[i].OK {
			if se == nil {
				se = &geo.SnapError{MaxM: c.maxSnap()}
			}
			se.IDs = append(se.IDs, locs[i].ID)
			se.DistM = append(se.DistM, m.Snaps[i].SnapM)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			switch {
			case !m.Snaps[i].OK || !m.Snaps[j].OK:
				m.Durations[i][j], m.Distances[i][j] = geo.NoValue, geo.NoValue
				m.Unreachable = append(m.Unreachable, geo.Pair{From: i, To: j, Reason: ReasonNotSnapped})
			case null[i][j]:
				m.Unreachable = append(m.Unreachable, geo.Pair{From: i, To: j, Reason: ReasonNull})
			}
		}
	}
	if se != nil {
		return m, se
	}
	return m, nil
}

// Reasons used in geo.Pair.Reason.
const (
	// ReasonNull marks a pair the server answered with null: no route in
	// its road data. It is geo.ReasonNoRoute, so that a geo.Fallback
	// treats it like a road-graph gap.
	ReasonNull = geo.ReasonNoRoute
	// ReasonNotSnapped marks pairs of a location OSRM snapped farther than
	// MaxSnapM away.
	ReasonNotSnapped = "not snapped"
)

// table asks for one block. When same is set the origin and destination
// blocks are the same locations and are sent once.
func (c *Client) table(ctx context.Context, src, dst []geo.Location, same bool, mode geo.Mode) (*TableResponse, error) {
	var coords []string
	add := func(ls []geo.Location) {
		for _, l := range ls {
			coords = append(coords, strconv.FormatFloat(l.Point[0], 'f', 7, 64)+","+strconv.FormatFloat(l.Point[1], 'f', 7, 64))
		}
	}
	add(src)
	q := url.Values{}
	q.Set("annotations", "duration,distance")
	if !same {
		add(dst)
		q.Set("sources", indexList(0, len(src)))
		q.Set("destinations", indexList(len(src), len(src)+len(dst)))
	}
	u := c.BaseURL + "/table/v1/" + url.PathEscape(c.profile(mode)) + "/" + strings.Join(coords, ";") + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// OSRM explains errors in a JSON body ({"code", "message"}).
		var e TableResponse
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return nil, fmt.Errorf("server answered %s: %s: %s", resp.Status, e.Code, e.Message)
		}
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
	return DecodeTable(resp.Body, len(src), len(dst))
}

func indexList(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		if i > from {
			b.WriteByte(';')
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

var _ geo.Source = (*Client)(nil)
